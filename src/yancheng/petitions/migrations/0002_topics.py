from django.db import migrations

# 问题类别: the common classification of 信访 matters; a city edits them in the admin.
TOPICS = [
    ("urban_construction", "城乡建设", "Urban and rural construction"),
    ("land_resources", "自然资源", "Natural resources"),
    ("labour_social_security", "劳动和社会保障", "Labour and social security"),
    ("agriculture_rural", "农业农村", "Agriculture and rural affairs"),
    ("health", "卫生健康", "Health"),
    ("education", "教育", "Education"),
    ("environment", "生态环境", "Environment"),
    ("transport", "交通运输", "Transport"),
    ("civil_affairs", "民政", "Civil affairs"),
    ("public_security_justice", "政法", "Law and public security"),
    ("discipline", "纪检监察", "Discipline inspection"),
    ("enterprise_restructuring", "企业改制", "Enterprise restructuring"),
    ("business_environment", "营商环境", "Business environment"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("petitions", "Topic")
    for order, (code, name, name_en) in enumerate(TOPICS):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
